/**
 * Which certificate authorities kittify trusts for https and wss, beyond the bundled public
 * ones: Deno adds the PEM file named by DENO_CERT. spec-kitty (Python) reads SSL_CERT_FILE for
 * the same purpose, so a team with a private CA sets one variable for both tools: when only
 * SSL_CERT_FILE is set, kittify passes it on as DENO_CERT before its first connection.
 */
export interface Environment {
  get(name: string): string | undefined;
  set(name: string, value: string): void;
}

export function adoptCaBundle(env: Environment): void {
  const bundle = env.get("SSL_CERT_FILE");
  if (bundle && !env.get("DENO_CERT")) env.set("DENO_CERT", bundle);
}
