/** osquery's double text, in a module of its own so the shell's printing needs none of the wasm runtime. */

/**
 * A double as osquery renders it: C++ stream output with 15 significant digits (like printf %.15g), then `.0`
 * appended when the text has no '.', e.g. 2 → "2.0", 0.1 → "0.1", 1/3 → "0.333333333333333".
 */
export function formatDouble(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  let text: string;
  if (value === 0) text = Object.is(value, -0) ? '-0' : '0';
  else {
    const exponent = Math.floor(Math.log10(Math.abs(Number(value.toPrecision(15)))));
    if (exponent < -4 || exponent >= 15) {
      const [mantissa, power] = value.toExponential(14).split('e');
      const trimmed = mantissa!.includes('.') ? mantissa!.replace(/\.?0+$/, '') : mantissa!;
      const sign = power!.startsWith('-') ? '-' : '+';
      const digits = power!.replace(/^[-+]/, '').padStart(2, '0');
      text = `${trimmed}e${sign}${digits}`;
    } else {
      text = value.toFixed(Math.max(0, 14 - exponent));
      if (text.includes('.')) text = text.replace(/\.?0+$/, '');
    }
  }
  return text.includes('.') ? text : `${text}.0`;
}
