/**
 * Which S3 service a bucket's history came from, as the index records it.
 * Bucket names are unique only within one service: `sales` on one moto, on
 * MinIO and on AWS are three buckets, and the index must answer for none
 * but the one it swept.
 *
 * A custom endpoint is its URL normalised: scheme and host lower case, the
 * default port dropped, no credentials, query or trailing slash. Two
 * spellings of one server (localhost and 127.0.0.1) count as two: the
 * index is then merely unused, never wrong. AWS itself (no endpoint) is
 * 'aws', or its partition ('aws-cn', 'aws-us-gov', ...) taken from the
 * region: within a partition bucket names are global, so the region does
 * not otherwise matter.
 */
export function endpointKey (endpoint: string | undefined, region: string): string {
  if (endpoint === undefined || endpoint.trim() === '') return awsPartition(region)
  try {
    const u = new URL(endpoint.trim())
    return `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, '')}`
  } catch {
    return endpoint.trim()
  }
}

/** The endpoint key of an S3 client. */
export function endpointOf (s3: { endpoint: string | undefined, region: string }): string {
  return endpointKey(s3.endpoint, s3.region)
}

const PARTITIONS: Array<[RegExp, string]> = [
  [/^cn-/, 'aws-cn'], [/^us-gov-/, 'aws-us-gov'], [/^us-isob-/, 'aws-iso-b'], [/^us-iso-/, 'aws-iso'],
  [/^eu-isoe-/, 'aws-iso-e'], [/^us-isof-/, 'aws-iso-f']
]

function awsPartition (region: string): string {
  return PARTITIONS.find(([re]) => re.test(region))?.[1] ?? 'aws'
}
