import { render } from 'preact'
import { App } from './App'
import './style.css'

// The token in ?token= has set the session cookie by now: keep it out of history and screenshots.
if (new URLSearchParams(location.search).has('token')) {
  history.replaceState(null, '', location.pathname + location.hash)
}

// Times carry the local time beside them off UTC: the time columns make room for it.
document.documentElement.classList.toggle('local-tz', new Date().getTimezoneOffset() !== 0)

render(<App />, document.getElementById('app') as HTMLElement)
