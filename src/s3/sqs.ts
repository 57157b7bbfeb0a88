import { DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs'
import { toDomainError } from './errors.js'

export interface QueueMessage {
  id: string
  /** Hands the message back for deletion once it has been applied. */
  receipt: string
  body: string
}

export interface SqsOptions {
  region?: string
  attempts: number
  timeoutMs: number
}

/**
 * Reads S3 event notifications from an SQS queue. The queue URL names its
 * own host (the SDK sends each request there), so the same code reaches AWS
 * and a local server. Messages are deleted only after they were applied:
 * a process killed in between gets them again once the queue's visibility
 * timeout has passed.
 */
export class SqsAccess {
  private readonly client: SQSClient

  constructor (opts: SqsOptions) {
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'
    this.client = new SQSClient({
      region: opts.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1',
      maxAttempts: opts.attempts,
      // Long polls hold a request open for up to 20 s, on top of the idle timeout.
      requestHandler: { connectionTimeout: opts.timeoutMs, socketTimeout: opts.timeoutMs + 20_000 }
    })
  }

  /** Up to 10 messages, waiting up to `waitSeconds` (a long poll) for the first. */
  async receive (queueUrl: string, waitSeconds: number, signal?: AbortSignal): Promise<QueueMessage[]> {
    try {
      const out = await this.client.send(new ReceiveMessageCommand({
        QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: waitSeconds
      }), { abortSignal: signal })
      return (out.Messages ?? []).map(m => ({ id: m.MessageId ?? '', receipt: m.ReceiptHandle ?? '', body: m.Body ?? '' }))
    } catch (e) {
      throw toDomainError(e, `receive events from ${queueUrl}`, queueUrl)
    }
  }

  async delete (queueUrl: string, messages: readonly QueueMessage[]): Promise<void> {
    if (messages.length === 0) return
    try {
      await this.client.send(new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.receipt }))
      }))
    } catch (e) {
      throw toDomainError(e, `delete applied events from ${queueUrl}`, queueUrl)
    }
  }

  destroy (): void { this.client.destroy() }
}
