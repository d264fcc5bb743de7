/**
 * Normalises a heading for comparison the way Obsidian matches `[[note#Heading]]`:
 * case-insensitive and tolerant of punctuation and spacing.
 * @param heading a heading text or the heading part of a link
 * @returns the comparison key
 */
export function headingKey(heading: string): string {
  return heading
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}
