/**
 * A headless Chromium for the dashboard's browser tests, without root and without a system
 * package: on Linux x64 the test brings its own from the npm registry (`@sparticuz/chromium`
 * ships a self-contained Chromium inside the package; it is unpacked once into the temp folder).
 * Elsewhere, or when that fails, a system Chrome/Chromium is used. `KITTIFY_CHROMIUM` overrides
 * both. If none can be had, the error is one line that says how to get one.
 */
import puppeteer, { type Browser } from "puppeteer-core";

const SYSTEM_BROWSERS = [
  "/usr/bin/chromium",
  "/usr/bin/chromium-browser",
  "/usr/bin/google-chrome",
  "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
  "C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe",
];

export const NO_BROWSER_MESSAGE =
  "no Chromium for the browser test: on Linux x64 the test unpacks the npm package " +
  "@sparticuz/chromium (needs the npm registry once); elsewhere install Chrome or Chromium, " +
  "or set KITTIFY_CHROMIUM=/path/to/chrome";

function isFile(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

/** The npm-packaged Chromium (Linux x64 only), or null with the reason it is not available. */
async function bundledChromium(): Promise<string | null> {
  if (Deno.build.os !== "linux" || Deno.build.arch !== "x86_64") return null;
  try {
    const { default: chromium } = await import("@sparticuz/chromium");
    const path = await chromium.executablePath();
    return isFile(path) ? path : null;
  } catch {
    return null;
  }
}

/** KITTIFY_CHROMIUM, else the npm-packaged Chromium, else a system one; throws if none. */
export async function findChromium(): Promise<string> {
  const override = Deno.env.get("KITTIFY_CHROMIUM");
  if (override) {
    if (isFile(override)) return override;
    throw new Error(`KITTIFY_CHROMIUM=${override} is not a file`);
  }
  const bundled = await bundledChromium();
  if (bundled) return bundled;
  const system = SYSTEM_BROWSERS.find(isFile);
  if (system) return system;
  throw new Error(NO_BROWSER_MESSAGE);
}

/** A headless browser with a throw-away profile, isolated from the network beyond loopback. */
export async function launchBrowser(userDataDir: string): Promise<Browser> {
  return await puppeteer.launch({
    executablePath: await findChromium(),
    userDataDir,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--no-zygote",
      "--disable-dev-shm-usage",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}
