// Settings -> server base URL (pure).
import t from 'tap'
import { baseUrlOf, readConfig } from '../../src/labext/src/config.js'

t.test('the default is the same-origin proxy path under JupyterLab\'s base URL', async t => {
  t.equal(baseUrlOf('', 'http://lab.example:8888/'), 'http://lab.example:8888/infinstor/')
  t.equal(baseUrlOf('', 'https://hub.example/user/ada/'), 'https://hub.example/user/ada/infinstor/')
})

t.test('absolute and relative server URLs', async t => {
  t.equal(baseUrlOf('http://127.0.0.1:8941', 'http://localhost:8888/'), 'http://127.0.0.1:8941/')
  t.equal(baseUrlOf('http://127.0.0.1:8941/sub?x=1#y', 'http://localhost:8888/'), 'http://127.0.0.1:8941/sub/')
  t.equal(baseUrlOf('proxy/8941', 'https://hub.example/user/ada/'), 'https://hub.example/user/ada/proxy/8941/')
  t.equal(baseUrlOf('/isolated/', 'https://hub.example/user/ada/'), 'https://hub.example/isolated/')
})

t.test('reads settings defensively', async t => {
  t.same(readConfig({}), { serverUrl: '', token: '', mountPoint: '/infinstor' })
  t.same(readConfig({ serverUrl: ' http://x:1 ', token: 'abc', mountPoint: '' }), { serverUrl: 'http://x:1', token: 'abc', mountPoint: '/infinstor' })
  t.same(readConfig({ serverUrl: 42, token: null, mountPoint: '/mnt/s3' }), { serverUrl: '', token: '', mountPoint: '/mnt/s3' })
})
