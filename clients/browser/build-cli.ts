import { BUNDLE_DIR, writeBrowserBundle } from "./build.ts";

// `npm run build`: bundles the browser client once, into dist/browser/.
const client = await writeBrowserBundle();
process.stdout.write(`browser client bundled into ${BUNDLE_DIR} (${Math.round(client.js.length / 1024)} KB of script)\n`);
