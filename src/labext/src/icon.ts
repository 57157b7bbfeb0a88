import { LabIcon } from '@jupyterlab/ui-components'

// A bucket with a clock: the same bucket, at another time.
const SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="16" viewBox="0 0 24 24">
<g class="jp-icon3" fill="#616161">
<path d="M2.5 5.2C2.5 3.7 6.8 2.5 12 2.5s9.5 1.2 9.5 2.7l-1.1 5.2a7.6 7.6 0 0 0-9.7 10.9c-3.4-.2-5.7-.9-5.9-1.8zm2.2.3c1 .7 3.9 1.2 7.3 1.2s6.3-.5 7.3-1.2c-1-.7-3.9-1.2-7.3-1.2s-6.3.5-7.3 1.2z"/>
<path d="M17.2 11.6a5.9 5.9 0 1 1 0 11.8 5.9 5.9 0 0 1 0-11.8zm0 1.7a4.2 4.2 0 1 0 0 8.4 4.2 4.2 0 0 0 0-8.4zm-.8 1.2h1.5v3l2.1 1.3-.8 1.3-2.8-1.7z"/>
</g></svg>`

export const infinstorIcon = new LabIcon({ name: 'infinstor:drive', svgstr: SVG })
