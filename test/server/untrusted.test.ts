// Headers for serving untrusted bucket bytes (pure).
import t from 'tap'
import { contentDisposition, UNTRUSTED_CONTENT } from '../../src/server/untrusted.js'

t.test('any file name survives Content-Disposition', async t => {
  t.equal(contentDisposition('attachment', 'train.csv'), "attachment; filename*=UTF-8''train.csv")
  t.equal(contentDisposition('inline', "it's (a) *test*.txt"), "inline; filename*=UTF-8''it%27s%20%28a%29%20%2Atest%2A.txt")
  t.equal(contentDisposition('attachment', 'ünï"\r\n.bin'), "attachment; filename*=UTF-8''%C3%BCn%C3%AF%22%0D%0A.bin", 'no header injection')
  t.equal(contentDisposition('attachment', ''), "attachment; filename*=UTF-8''object", 'a key ending in / still gets a name')
})

t.test('bucket HTML never runs as this origin', async t => {
  t.match(UNTRUSTED_CONTENT['Content-Security-Policy'], /^sandbox;/)
  t.match(UNTRUSTED_CONTENT['Content-Security-Policy'], /default-src 'none'/)
  t.equal(UNTRUSTED_CONTENT['X-Content-Type-Options'], 'nosniff')
})
