/** One colour function. */
export type Formatter = (text: string) => string;

/** Colour functions (a subset of picocolors); the identity when colours are off. */
export interface Paint {
  bold: Formatter;
  dim: Formatter;
  red: Formatter;
  green: Formatter;
  yellow: Formatter;
  cyan: Formatter;
  magenta: Formatter;
}

const id: Formatter = (s) => s;

/** Colour functions that leave text as it is. */
export const NO_PAINT: Paint = {
  bold: id,
  dim: id,
  red: id,
  green: id,
  yellow: id,
  cyan: id,
  magenta: id,
};
