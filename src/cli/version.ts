/** kittify's version, from deno.json (the one place it is set). */
import denoJson from "../../deno.json" with { type: "json" };

export const VERSION: string = denoJson.version;
