// Loads the jco-transpiled Intercom component under Node (preview2-shim) and runs one call.
// usage: node run.mjs <transpiled/intercom.js> describe
//        node run.mjs <transpiled/intercom.js> search <base-url> <token> <key> <input-json>
// Prints {"ok": ...} or {"err": ...} as JSON on stdout.
import { pathToFileURL } from "node:url";

const [modulePath, command, baseUrl, token, key, input] = process.argv.slice(2);
const component = await import(pathToFileURL(modulePath).href);

function print(value) {
  process.stdout.write(JSON.stringify(value) + "\n");
}

try {
  if (command === "describe") {
    const info = component.metadata.describe();
    print({ ok: { name: info.name, version: info.version, keys: info.operations.map((o) => o.key) } });
  } else if (command === "search") {
    const conn = { accessToken: token, region: "us", baseUrl, apiVersion: undefined, maxRateLimitWaitMs: undefined };
    const items = component.searches.runSearch(conn, key, input);
    print({ ok: items.map((s) => JSON.parse(s)) });
  } else {
    throw new Error(`unknown command ${command}`);
  }
} catch (e) {
  // jco throws a ComponentError whose payload is the WIT error variant.
  print({ err: e.payload ?? String(e) });
}
