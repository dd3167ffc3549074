/**
 * Display width by `string-width` (East Asian Width and emoji data), in a module of its own so
 * that it is loaded only for tables that need it (table.ts).
 */
import stringWidth from "string-width";

export const displayWidth: (text: string) => number = stringWidth;
