/**
 * Text from elsewhere (other people's events, server answers), made safe to print on a
 * terminal: control characters (escape sequences, bells, carriage returns) become U+FFFD, so
 * nobody can redraw or clear the reader's screen or fake a prompt.
 */
export function terminalSafe(text: string): string {
  return text.replace(/\p{Cc}/gu, "\uFFFD");
}
