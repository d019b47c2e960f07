/** IP address text shared by the socket tables and routes. */

/** inet_ntop(3) for 16 bytes: the longest run of two or more zero groups becomes "::"; IPv4-mapped and -compatible addresses end in dotted form. */
export function formatIpv6(bytes: readonly number[]): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((bytes[i]! << 8) | bytes[i + 1]!);
  let bestStart = -1;
  let bestLength = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i += 1;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j += 1;
    if (j - i > bestLength && j - i >= 2) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const embedsIpv4 = bestStart === 0 && (bestLength === 6 || (bestLength === 5 && groups[5] === 0xffff));
  const parts: string[] = [];
  for (let i = 0; i < 8; i += 1) {
    if (i === bestStart) {
      parts.push(i === 0 ? ':' : '');
      i += bestLength - 1;
      if (i === 7) parts.push('');
      continue;
    }
    if (i === 6 && embedsIpv4) {
      parts.push(`${bytes[12]}.${bytes[13]}.${bytes[14]}.${bytes[15]}`);
      break;
    }
    parts.push(groups[i]!.toString(16));
  }
  return parts.join(':');
}

/** 32 hex digits of an IPv6 address in network byte order (as /proc/net/ipv6_route prints it) → inet_ntop text. */
export function ipv6FromHex(hex: string): string {
  return formatIpv6([...Buffer.from(hex, 'hex')]);
}
