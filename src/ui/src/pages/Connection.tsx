import { useState } from 'preact/hooks'
import { api } from '../api'
import { ErrorBox, Progress } from '../components/feedback'
import { useAsync } from '../hooks'

async function copy (text: string): Promise<void> {
  await navigator.clipboard?.writeText(text)
}

export function Connection () {
  const info = useAsync(async () => await api.info(), [])
  const [copied, setCopied] = useState<string | undefined>()
  const i = info.value
  const example = 's3://BUCKET/@2022-12-06T00:00:00Z/path/to/file.csv'
  return (
    <section>
      <h1>Connection</h1>
      {info.error !== undefined && <ErrorBox error={info.error} />}
      {i === undefined && info.loading && <Progress label="Asking the server…" />}
      {i !== undefined && (
        <>
          <dl class="facts wide">
            <dt>S3 endpoint</dt><dd class="mono">{i.endpoint}</dd>
            <dt>Region</dt><dd>{i.region ?? '—'}</dd>
            <dt>Credentials from</dt><dd>{i.credentialSource === 'env' ? 'environment variables (AWS_ACCESS_KEY_ID, …)' : i.credentialSource.startsWith('profile:') ? `AWS profile '${i.credentialSource.slice(8)}'` : "the AWS SDK's default chain"}</dd>
            <dt>Label store</dt><dd class="mono">{i.labelStore ?? 'none configured'}</dd>
            <dt>Mount point</dt><dd class="mono">{i.mountPoint ?? '—'}</dd>
            <dt>Server</dt><dd>{i.name} {i.version}</dd>
          </dl>
          <p class="note">Secrets are never shown here or sent to this page.</p>
          <h2>S3 gateway</h2>
          <dl class="facts wide">
            <dt>Endpoint</dt>
            <dd class="mono">
              {i.s3Gateway ?? 'none beside this server (infinstor mount and infinstor serve run one)'}
              {i.s3Gateway !== null && <button onClick={() => { copy(i.s3Gateway as string).then(() => setCopied(i.s3Gateway as string), () => {}) }}>Copy endpoint</button>}
            </dd>
            <dt>S3 URLs</dt>
            <dd><span class="mono">{example}</span> <button onClick={() => { copy(example).then(() => setCopied(example), () => {}) }}>Copy S3 URL</button>: a time, slice or label as the first key segment (or in the endpoint: <span class="mono">{i.s3Gateway ?? 'http://HOST:PORT'}/@LABEL</span>). Browse offers each file's.</dd>
            <dt>Keys</dt><dd><span class="mono">infinstor keys create</span> on the daemon's machine; any S3 client signs with them (SigV4).</dd>
          </dl>
          {copied !== undefined && <p class="ok" role="status">Copied: {copied}</p>}
          <h2>S3 requests made by this server</h2>
          <table class="grid narrow">
            <tbody>{Object.entries(i.s3Requests).sort().map(([op, n]) => <tr key={op}><td>{op}</td><td class="num">{n}</td></tr>)}</tbody>
          </table>
        </>
      )}
    </section>
  )
}
