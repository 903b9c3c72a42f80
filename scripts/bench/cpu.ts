/**
 * CPU per order and platform, in Node with tinybench: each connector's own webhook verification
 * (where the platform sends webhooks), lossless JSON parse, schema parse and mapper, on an order
 * from that platform's simulator payload builder (the one the simulators serve and send).
 * Plentymarkets and Billbee send no webhooks: their figure is parse + map of one order of a page.
 */
import { Bench } from 'tinybench'
import { z } from 'zod'
import { cartumOrderToCanonical } from '../../src/connectors/cartum/mapper'
import { cartumOrderSchema, cartumSettingsSchema } from '../../src/connectors/cartum/schemas'
import { verifyCartumWebhook } from '../../src/connectors/cartum/webhook'
import { billbeeOrderToCanonical } from '../../src/connectors/billbee/mapper'
import { billbeeOrderSchema } from '../../src/connectors/billbee/schemas'
import { plentyOrderToCanonical } from '../../src/connectors/plentymarkets/mapper'
import { plentyOrderSchema, plentySettingsSchema } from '../../src/connectors/plentymarkets/schemas'
import { shopifyOrderToCanonical } from '../../src/connectors/shopify/mapper'
import { shopifyOrderSchema } from '../../src/connectors/shopify/schemas'
import { verifyShopifyWebhook } from '../../src/connectors/shopify/webhook'
import { wooOrderToRecord } from '../../src/connectors/woocommerce/mapper'
import { wooOrderSchema } from '../../src/connectors/woocommerce/schemas'
import { verifyWooWebhook } from '../../src/connectors/woocommerce/webhook'
import { parseJsonLosslessly } from '../../src/core/json'
import { billbeeOrderPayload } from '../../test/simulators/billbee'
import { cartumOrderPayload } from '../../test/simulators/cartum'
import { plentyOrderPayload } from '../../test/simulators/plentymarkets'
import { shopifyOrderPayload, signShopifyWebhook } from '../../test/simulators/shopify'
import { wooJson, wooOrderPayload, wooWebhookHeaders } from '../../test/simulators/woocommerce'

// On Workers zod sees Cloudflare's user agent and validates without generating code from strings
// (workerd forbids it); in Node it would compile its fast path. The bench measures what Workers run.
z.config({ jitless: true })

const SECRET = 'bench-webhook-secret-0123456789'
const encoder = new TextEncoder()

/** Billbee writes decimals as `30.000`: the simulator's serialisation (test/simulators/billbee.ts). */
function billbeeJson(value: unknown): string {
  return JSON.stringify(value, (_key, item) =>
    item && typeof item === 'object' && '__rawDecimal' in item ? `__RAW__${item.__rawDecimal}__RAW__` : item
  ).replace(/"__RAW__([-\d.]+)__RAW__"/g, '$1')
}

type Case = { platform: string; bytes: number; lines: number; webhook: boolean; once: () => Promise<unknown> }

function expectAccepted(verdict: { kind: string }) {
  if (verdict.kind !== 'accepted') throw new Error(`webhook not accepted: ${JSON.stringify(verdict)}`)
}

async function cases(): Promise<Case[]> {
  const list: Case[] = []

  {
    const body = JSON.stringify(shopifyOrderPayload({ id: 4243, currency: 'USD' }))
    const bytes = encoder.encode(body)
    const headers = new Headers({
      'x-shopify-hmac-sha256': await signShopifyWebhook(SECRET, body),
      'x-shopify-shop-domain': 'cpu.myshopify.com',
      'x-shopify-topic': 'orders/create',
      'x-shopify-webhook-id': '1',
    })
    const credentials = { shopDomain: 'cpu.myshopify.com', accessToken: 'x', webhookSecret: SECRET }
    const request = { method: 'POST', url: 'https://kontor.bench/webhooks/shopify/con_1', headers, body: bytes }
    list.push({
      platform: 'shopify',
      bytes: bytes.length,
      lines: (JSON.parse(body).line_items ?? []).length,
      webhook: true,
      once: async () => {
        expectAccepted(await verifyShopifyWebhook(request, credentials))
        return shopifyOrderToCanonical(shopifyOrderSchema.parse(parseJsonLosslessly(body)))
      },
    })
  }

  {
    const body = wooJson(wooOrderPayload())
    const bytes = encoder.encode(body)
    const headers = new Headers(await wooWebhookHeaders(SECRET, 'order.updated', body))
    const credentials = {
      siteUrl: 'https://shop.woo.example',
      consumerKey: 'ck',
      consumerSecret: 'cs',
      webhookSecret: SECRET,
    }
    const request = { method: 'POST', url: 'https://kontor.bench/webhooks/woocommerce/con_1', headers, body: bytes }
    list.push({
      platform: 'woocommerce',
      bytes: bytes.length,
      lines: (JSON.parse(body).line_items ?? []).length,
      webhook: true,
      once: async () => {
        expectAccepted(await verifyWooWebhook(request, credentials))
        // The category lookup is a cached platform read (I/O), not part of the CPU figure.
        return wooOrderToRecord(wooOrderSchema.parse(parseJsonLosslessly(body)), () => null)
      },
    })
  }

  {
    const body = JSON.stringify(cartumOrderPayload())
    const bytes = encoder.encode(body)
    const credentials = { domain: 'shop.cartum.example', login: 'l', password: 'p', webhookSecret: SECRET }
    const settings = cartumSettingsSchema.parse({})
    const request = {
      method: 'PUT',
      url: `https://kontor.bench/webhooks/cartum/con_1?key=${encodeURIComponent(SECRET)}`,
      headers: new Headers({ 'content-type': 'application/json' }),
      body: bytes,
    }
    const receivedAt = new Date().toISOString()
    list.push({
      platform: 'cartum',
      bytes: bytes.length,
      lines: (JSON.parse(body).products ?? JSON.parse(body).items ?? []).length,
      webhook: true,
      once: async () => {
        expectAccepted(await verifyCartumWebhook(request, credentials))
        return cartumOrderToCanonical(cartumOrderSchema.parse(parseJsonLosslessly(body)), settings, receivedAt)
      },
    })
  }

  {
    const body = JSON.stringify(plentyOrderPayload())
    const { cancelledStatus } = plentySettingsSchema.parse({})
    list.push({
      platform: 'plentymarkets',
      bytes: encoder.encode(body).length,
      lines: (JSON.parse(body).orderItems ?? []).length,
      webhook: false,
      once: async () => plentyOrderToCanonical(plentyOrderSchema.parse(parseJsonLosslessly(body)), cancelledStatus),
    })
  }

  {
    const body = billbeeJson(billbeeOrderPayload())
    list.push({
      platform: 'billbee',
      bytes: encoder.encode(body).length,
      lines: (JSON.parse(body).OrderItems ?? []).length,
      webhook: false,
      once: async () => billbeeOrderToCanonical(billbeeOrderSchema.parse(parseJsonLosslessly(body))),
    })
  }
  return list
}

export type CpuResult = {
  platform: string
  bytes: number
  lines: number
  webhook: boolean
  /** CPU time of the process per order (all its threads: the HMAC runs on libuv's pool in Node). */
  medianUs: number
  p99Us: number
  /** Wall-clock time per order, the thread-pool hop of WebCrypto in Node and scheduling included. */
  wallMedianUs: number
  wallP99Us: number
  samples: number
}

/** The process's CPU time in ms, as a tinybench clock. */
function cpuClock(): number {
  const usage = process.cpuUsage()
  return (usage.user + usage.system) / 1000
}

async function run(list: Case[], timeMs: number, now?: () => number) {
  const bench = new Bench({
    time: timeMs,
    warmupTime: Math.min(500, timeMs / 2),
    throws: true,
    ...(now ? { now } : {}),
  })
  for (const item of list) bench.add(item.platform, item.once)
  await bench.run()
  return (platform: string) => {
    const result = bench.getTask(platform)?.result
    if (!result || !('latency' in result)) throw new Error(`tinybench: no result for ${platform}`)
    return {
      medianUs: Math.round(result.latency.p50 * 1000),
      p99Us: Math.round(result.latency.p99 * 1000),
      samples: result.latency.samplesCount ?? 0,
    }
  }
}

export async function benchCpu(timeMs: number): Promise<CpuResult[]> {
  const list = await cases()
  // A broken fixture fails here, loudly, not as a fast benchmark of an exception.
  for (const item of list) await item.once()
  const cpu = await run(list, timeMs, cpuClock)
  const wall = await run(list, timeMs)
  return list.map((item) => {
    const used = cpu(item.platform)
    const elapsed = wall(item.platform)
    return {
      platform: item.platform,
      bytes: item.bytes,
      lines: item.lines,
      webhook: item.webhook,
      medianUs: used.medianUs,
      p99Us: used.p99Us,
      wallMedianUs: elapsed.medianUs,
      wallP99Us: elapsed.p99Us,
      samples: used.samples,
    }
  })
}
