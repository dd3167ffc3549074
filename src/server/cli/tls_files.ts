/**
 * `--tls-cert FILE --tls-key FILE`: the PEM certificate chain and private key `kittify serve`
 * answers https and wss with. Both or neither; files that cannot be read are the user's to fix,
 * and a private key that others may read is pointed out (it is used all the same).
 */
import { UsageError, UserError } from "../../common/errors.ts";

export interface TlsFlags {
  tlsCert?: string;
  tlsKey?: string;
}

export interface TlsPem {
  cert: string;
  key: string;
}

/** The certificate and key named by the flags, or undefined for plain http. */
export async function readTlsFiles(
  flags: TlsFlags,
  warn: (line: string) => void,
): Promise<TlsPem | undefined> {
  if (flags.tlsCert === undefined && flags.tlsKey === undefined) return undefined;
  if (flags.tlsCert === undefined || flags.tlsKey === undefined) {
    throw new UsageError("--tls-cert and --tls-key go together", {
      hint: "give both: the certificate chain and its private key, PEM files",
    });
  }
  const cert = await readPem(flags.tlsCert, "--tls-cert", "CERTIFICATE");
  const key = await readPem(flags.tlsKey, "--tls-key", "PRIVATE KEY");
  if (Deno.build.os !== "windows") {
    const mode = (await Deno.stat(flags.tlsKey)).mode;
    if (mode !== null && (mode & 0o077) !== 0) {
      warn(
        `warning: the private key ${flags.tlsKey} can be read by other users ` +
          `(mode ${(mode & 0o777).toString(8)}); chmod 600 it`,
      );
    }
  }
  return { cert, key };
}

async function readPem(path: string, flag: string, kind: string): Promise<string> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (err) {
    throw new UserError(`cannot read ${flag} ${path}: ${(err as Error).message}`);
  }
  if (!text.includes(`-----BEGIN `) || !text.includes(kind)) {
    throw new UserError(`${flag} ${path} is not a PEM file with a ${kind.toLowerCase()}`, {
      hint: "kittify serve takes PEM files, as openssl and mkcert write them",
    });
  }
  return text;
}
