/**
 * "Chrome on Android", "Telegram on iOS": enough for people to recognise a session in the list,
 * from the User-Agent text stored with it. Unknown agents show as they are, shortened.
 */
export function describeAgent(ua: string): string {
  const os = /Android/.test(ua) ? 'Android' : /iPhone|iPad|iOS/.test(ua) ? 'iOS' : /Windows/.test(ua) ? 'Windows' : /Mac OS X|Macintosh/.test(ua) ? 'macOS' : /Linux|X11/.test(ua) ? 'Linux' : '';
  const browser = /Telegram/i.test(ua)
    ? 'Telegram'
    : /Edg\//.test(ua)
      ? 'Edge'
      : /Firefox\//.test(ua)
        ? 'Firefox'
        : /Chrome\/|Chromium\/|HeadlessChrome/.test(ua)
          ? 'Chrome'
          : /Safari\//.test(ua)
            ? 'Safari'
            : '';
  if (!browser && !os) return ua.slice(0, 40) || '—';
  return [browser || '?', os].filter(Boolean).join(' · ');
}
