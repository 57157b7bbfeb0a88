import type { Engine } from '../engine/engine.js'
import { sendXml, type Exchange } from './reply.js'
import { openView } from './views.js'
import { el, xmlDocument } from './xml.js'

/**
 * GetBucketLocation (`?location`). Any region signs for the gateway, so it
 * answers the default one (an empty constraint means us-east-1).
 */
export async function getBucketLocation (x: Exchange, engine: Engine, bucket: string, viewText: string): Promise<void> {
  await openView(engine, bucket, viewText)
  sendXml(x, xmlDocument(el('LocationConstraint')))
}
