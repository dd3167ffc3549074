/**
 * A throw-away private CA and a server certificate it signed (for 127.0.0.1 and localhost), made
 * in the test with @peculiar/x509 on WebCrypto: no openssl needed. Written as PEM files.
 */
import { join } from "node:path";
import * as x509 from "@peculiar/x509";

export interface TestPki {
  /** The CA certificate (what a client must trust). */
  caFile: string;
  /** The server's certificate and private key, for `--tls-cert` / `--tls-key`. */
  certFile: string;
  keyFile: string;
}

const ALGORITHM = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" };

export async function makeTestPki(dir: string): Promise<TestPki> {
  x509.cryptoProvider.set(crypto);
  const now = Date.now();
  const validity = { notBefore: new Date(now - 60_000), notAfter: new Date(now + 86_400_000) };
  const caKeys = await crypto.subtle.generateKey(ALGORITHM, true, ["sign", "verify"]);
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: "01",
    name: "CN=kittify test CA",
    ...validity,
    keys: caKeys,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });
  const serverKeys = await crypto.subtle.generateKey(ALGORITHM, true, ["sign", "verify"]);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: "02",
    subject: "CN=localhost",
    issuer: ca.subject,
    ...validity,
    signingKey: caKeys.privateKey,
    publicKey: serverKeys.publicKey,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.SubjectAlternativeNameExtension([
        { type: "dns", value: "localhost" },
        { type: "ip", value: "127.0.0.1" },
      ]),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      await x509.AuthorityKeyIdentifierExtension.create(ca),
    ],
  });
  const pkcs8 = await crypto.subtle.exportKey("pkcs8", serverKeys.privateKey);
  const pki: TestPki = {
    caFile: join(dir, "ca.pem"),
    certFile: join(dir, "server.pem"),
    keyFile: join(dir, "server-key.pem"),
  };
  await Deno.writeTextFile(pki.caFile, ca.toString("pem"));
  await Deno.writeTextFile(pki.certFile, cert.toString("pem"));
  await Deno.writeTextFile(pki.keyFile, x509.PemConverter.encode(pkcs8, "PRIVATE KEY"), {
    mode: 0o600,
  });
  return pki;
}
