// Preloaded with `node --require` into a provider host whose requests must never leave this machine (the proxy
// tests, which use aliyuncs.com host names). It refuses DNS lookups of every name but localhost and IP literals,
// so a request that went direct by mistake fails without a real DNS query, and prints a line the test looks for.
const dns = require("node:dns");
const { isIP } = require("node:net");

/** What the guard prints for each refused lookup. */
const MARKER = "DNS-GUARD refused a lookup of";

const real = dns.lookup;
dns.lookup = function guardedLookup(hostname, ...rest) {
  if (hostname === "localhost" || isIP(hostname) !== 0) return real.call(this, hostname, ...rest);
  process.stderr.write(`${MARKER} ${hostname}\n`);
  const callback = rest[rest.length - 1];
  const error = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname} (refused by the test)`), {
    code: "ENOTFOUND",
  });
  process.nextTick(() => callback(error));
};
