import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { isSpecialPurposeIpv4, isSpecialPurposeIpv6, unsafeUrlReason } from '../../src/core/url-safety'

const refused = (url: string) => unsafeUrlReason(url, false)

describe('outbound URL safety (SSRF)', () => {
  it('accepts public https hosts', () => {
    for (const url of [
      'https://shop.myshopify.com',
      'https://shop.example.com/wp-json',
      'https://p12345.my.plentysystems.com:8443/rest',
      'https://93.184.215.14/',
      'https://[2606:4700:4700::1111]/',
      'https://shop.woo.example',
    ]) {
      expect(refused(url), url).toBeNull()
    }
  })

  it('refuses localhost with a trailing dot and in upper case', () => {
    for (const url of [
      'https://localhost.',
      'https://foo.localhost.',
      'https://LOCALHOST',
      'https://a.b.localhost..',
    ]) {
      expect(refused(url), url).not.toBeNull()
    }
  })

  it('refuses single-label hosts such as the metadata service', () => {
    for (const url of ['https://metadata', 'https://metadata.', 'https://intranet/']) {
      expect(refused(url), url).toMatch(/single label|local/)
    }
  })

  it('refuses names that only resolve inside a network', () => {
    for (const url of [
      'https://printer.local',
      'https://metadata.google.internal',
      'https://router.home.arpa',
      'https://1.0.0.127.in-addr.arpa',
    ]) {
      expect(refused(url), url).not.toBeNull()
    }
  })

  it('refuses every IPv4 special-purpose range, written in any form the URL parser accepts', () => {
    for (const url of [
      'https://0.0.0.0',
      'https://0.1.2.3',
      'https://10.1.2.3',
      'https://100.64.0.1',
      'https://100.127.255.254',
      'https://127.0.0.1',
      'https://127.1',
      'https://2130706433',
      'https://0x7f000001',
      'https://0177.0.0.1',
      'https://0x7f.1',
      'https://169.254.169.254',
      'https://172.16.0.1',
      'https://172.31.255.255',
      'https://192.0.0.8',
      'https://192.0.2.1',
      'https://192.168.1.1',
      'https://198.18.0.1',
      'https://198.19.255.255',
      'https://198.51.100.7',
      'https://203.0.113.9',
      'https://224.0.0.1',
      'https://239.255.255.250',
      'https://240.0.0.1',
      'https://255.255.255.255',
      'https://127.0.0.1.',
    ]) {
      expect(refused(url), url).toMatch(/special-purpose/)
    }
  })

  it('refuses IPv6 loopback, unique local, link local, mapped, NAT64, 6to4, documentation and multicast', () => {
    for (const url of [
      'https://[::1]',
      'https://[::]',
      'https://[fc00::1]',
      'https://[fd12:3456::1]',
      'https://[fe80::1]',
      'https://[febf::1]',
      'https://[::ffff:127.0.0.1]',
      'https://[::ffff:7f00:1]',
      'https://[::ffff:169.254.169.254]',
      'https://[64:ff9b::a9fe:a9fe]',
      'https://[2002:7f00:1::]',
      'https://[2001:db8::1]',
      'https://[2001::1]',
      'https://[3fff::1]',
      'https://[ff02::1]',
      'https://[100::1]',
    ]) {
      expect(refused(url), url).toMatch(/special-purpose/)
    }
  })

  it('refuses http, other schemes and credentials in the URL', () => {
    expect(refused('http://shop.example.com')).toBe('must use https')
    expect(refused('javascript:alert(1)')).toBe('must be http(s)')
    expect(refused('file:///etc/passwd')).toBe('must be http(s)')
    expect(refused('https://user:pass@shop.example.com')).toBe('must not carry credentials')
    expect(refused('not a url')).toBe('is not a URL')
  })

  it('ALLOW_INSECURE_URLS still allows http and local hosts, but no other scheme', () => {
    expect(unsafeUrlReason('http://localhost:8787', true)).toBeNull()
    expect(unsafeUrlReason('http://127.0.0.1:9000/x', true)).toBeNull()
    expect(unsafeUrlReason('javascript:alert(1)', true)).toBe('must be http(s)')
  })

  it('every address in 10/8, 127/8, 169.254/16, 172.16/12, 192.168/16, 100.64/10, 198.18/15, 224/3 is special', () => {
    const inRange = (base: number, bits: number) =>
      fc.integer({ min: 0, max: 2 ** (32 - bits) - 1 }).map((offset) => {
        const value = base + offset
        return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join('.')
      })
    const ip = (a: number, b: number, c: number, d: number) => ((a << 24) >>> 0) + (b << 16) + (c << 8) + d
    const ranges = fc.oneof(
      inRange(ip(10, 0, 0, 0), 8),
      inRange(ip(127, 0, 0, 0), 8),
      inRange(ip(169, 254, 0, 0), 16),
      inRange(ip(172, 16, 0, 0), 12),
      inRange(ip(192, 168, 0, 0), 16),
      inRange(ip(100, 64, 0, 0), 10),
      inRange(ip(198, 18, 0, 0), 15),
      inRange(ip(224, 0, 0, 0), 3)
    )
    fc.assert(
      fc.property(ranges, (address) => {
        expect(isSpecialPurposeIpv4(address)).toBe(true)
        expect(refused(`https://${address}/`)).not.toBeNull()
        // The same address as one decimal number is normalised by the URL parser first.
        const decimal = address.split('.').reduce((value, part) => value * 256 + Number(part), 0)
        expect(refused(`https://${decimal}/`)).not.toBeNull()
      })
    )
  })

  it('hand-written where a library fits: the ipaddr.js ranges refuse the AS112 block the hand tables missed', () => {
    // 2620:4f:8000::/48 (AS112 direct delegation, RFC 7534) lies in 2000::/3 outside every block
    // of the old hand-written table, which let it through. The other two were refused before too.
    for (const url of ['https://[2620:4f:8000::1]/', 'https://[5f00::1]/', 'https://[2001:4:112::1]/']) {
      expect(refused(url), url).toMatch(/special-purpose/)
    }
    expect(isSpecialPurposeIpv6('2620:4f:8001::1')).toBe(false)
    expect(isSpecialPurposeIpv4('192.52.193.1')).toBe(true)
    expect(isSpecialPurposeIpv4('not an address')).toBe(false)
  })

  it('IPv6 outside 2000::/3 is special, whatever its spelling', () => {
    expect(isSpecialPurposeIpv6('[0:0:0:0:0:0:0:1]')).toBe(true)
    expect(isSpecialPurposeIpv6('::FFFF:10.0.0.1')).toBe(true)
    expect(isSpecialPurposeIpv6('2606:4700::1')).toBe(false)
  })
})
