import { render } from 'preact'
import { App } from './App'
import './style.css'

// The token in ?token= has set the session cookie by now: keep it out of history and screenshots.
if (new URLSearchParams(location.search).has('token')) {
  history.replaceState(null, '', location.pathname + location.hash)
}

render(<App />, document.getElementById('app') as HTMLElement)
