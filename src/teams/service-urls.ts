// Which Bot Connector service URLs Steward talks to. An activity names its own serviceUrl, and
// Steward reads the roster from it and sends its replies there with the bot's token, so a forged one
// must never be used: without credentials only this machine's, with them the Bot Framework's hosts.

/** 127.0.0.0/8, ::1 and their IPv4-mapped forms. */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const plain = address.startsWith('::ffff:') ? address.slice(7) : address;
  return plain === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(plain);
}

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).hostname.replace(/^\[|\]$/g, '').toLowerCase();
  } catch {
    return undefined;
  }
}

/** A service URL on this machine: localhost, 127.x or [::1]. */
export function isLoopbackUrl(url: string): boolean {
  const host = hostOf(url);
  return host === 'localhost' || isLoopbackAddress(host);
}

/**
 * A service URL whose host is one of `hosts` or a subdomain of one (`botframework.com` allows
 * `smba.botframework.com`, never `evilbotframework.com`). Only https, except on this machine, where a
 * test or local connector listens on plain http.
 */
export function isAllowedServiceUrl(url: string, hosts: readonly string[]): boolean {
  const host = hostOf(url);
  if (!host) return false;
  if (new URL(url).protocol !== 'https:' && !isLoopbackUrl(url)) return false;
  return hosts.some((allowed) => host === allowed || host.endsWith(`.${allowed}`));
}

/** The service URLs Steward may use: without credentials this machine's only. */
export function serviceUrlPolicy(options: { anonymous: boolean; hosts: readonly string[] }): (url: string) => boolean {
  return options.anonymous ? isLoopbackUrl : (url) => isAllowedServiceUrl(url, options.hosts);
}
