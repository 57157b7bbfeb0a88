import { api } from '../api'
import { ErrorBox, Progress } from '../components/feedback'
import { useAsync } from '../hooks'

export function Connection () {
  const info = useAsync(async () => await api.info(), [])
  const i = info.value
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
          <h2>S3 requests made by this server</h2>
          <table class="grid narrow">
            <tbody>{Object.entries(i.s3Requests).sort().map(([op, n]) => <tr key={op}><td>{op}</td><td class="num">{n}</td></tr>)}</tbody>
          </table>
        </>
      )}
    </section>
  )
}
