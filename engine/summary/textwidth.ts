/**
 * The width of text in Times New Roman (Liberation Serif, its metric twin, on systems without
 * it), for sizing table columns to their content so that no word is broken inside a cell.
 *
 * Widths are the fonts' advance widths in thousandths of the font size (the Times-Roman and
 * Times-Bold metrics every PDF viewer ships); characters not listed count as the widest
 * letter, so an estimate is never short. Browser-safe.
 */

const REGULAR: Record<string, number> = {};
const BOLD: Record<string, number> = {};

function table(target: Record<string, number>, spec: string): void {
  // "ab:500 c:444": every character before the colon has that width
  for (const part of spec.trim().split(/\s+/)) {
    const i = part.lastIndexOf(":");
    for (const ch of part.slice(0, i)) target[ch] = Number(part.slice(i + 1));
  }
  target[" "] = 250;
}

table(REGULAR, `
  !:333 ":408 #$:500 %:833 &:778 ':180 ():333 *:500 +:564 ,.:250 -:333 /:278 0123456789:500 ;\\::278 <=>:564 ?:444 @:921
  AVXYUNKHGDOQw:722 BCR:667 ELTZ:611 FPS:556 I:333 J:389 M:889 W:944
  [:333 ]:333 ^:469 _:500 \`:333 {}:480 |:200 ~:541
  bdghnopquvxy:500 acez:444 fr:333 ijlt:278 k:500 m:778 s:389
  “”:444 ‘’:333 –:500 —:1000 ×÷:564 …:1000 •:350 €£:500 é:444
`);
REGULAR["\\"] = 278;

table(BOLD, `
  !:333 ":555 #$:500 %:1000 &:833 ':278 ():333 *:500 +:570 ,.:250 -:333 /:278 0123456789:500 ;\\::333 <=>:570 ?:500 @:930
  ACDNUVXYw:722 BEL:667 FP:611 GHKOQ:778 I:389 J:500 M:944 R:722 S:556 T:667 W:1000 Z:667
  [:333 ]:333 ^:581 _:500 \`:333 {}:394 |:220 ~:520
  agovxy:500 bdhknpqu:556 cesz:444 f:333 ijl:278 m:833 r:444 t:333 s:389
  “”:500 ‘’:333 –:500 —:1000 ×÷:570 …:1000 •:350 €£:500 é:444
`);
BOLD["\\"] = 278;

/** The width of `text` in points, at `size` points, regular or bold. */
export function textWidth(text: string, size: number, bold = false): number {
  const t = bold ? BOLD : REGULAR;
  let units = 0;
  for (const ch of text) units += t[ch] ?? 1000;
  return (units / 1000) * size;
}

/** The widest word of `text` (split at spaces; a word may still break after a hyphen or slash), in points. */
export function longestWord(text: string, size: number, bold = false): number {
  let widest = 0;
  for (const w of text.split(/\s+/)) {
    // a line may break after a hyphen or a slash, so only the parts between them must fit
    for (const part of w.split(/(?<=[-/])/)) widest = Math.max(widest, textWidth(part, size, bold));
  }
  return widest;
}
