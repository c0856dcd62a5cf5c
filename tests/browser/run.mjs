// Runs the browser journeys (journeys/*.journey.mjs, or the files named on the command line) in
// one headless chromium against one real hogod over a store made by the CLI, and prints one
// line per journey, every page checked with its axe result, and "N passed, N failed".
// Exit status: 0 all passed, 1 a journey failed, 77 skipped (chromium or the npm packages
// missing, said on stdout). Test layer; CTest runs it as browser/journeys.
import { existsSync, readdirSync } from "node:fs";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { missingPrerequisite } from "./harness.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const why = missingPrerequisite();
if (why) {
  console.log(`skipped: ${why}`);
  process.exit(77);
}
const { Store, Hogod, launchBrowser, runJourneys, screenshotDir, cleanScratch } =
  await import("./harness.mjs");

const files = process.argv.length > 2
  ? process.argv.slice(2).map((f) => resolve(f))
  : (existsSync(join(here, "journeys")) ? readdirSync(join(here, "journeys")) : []).filter((f) => f.endsWith(".journey.mjs")).sort()
      .map((f) => join(here, "journeys", f));
if (files.length === 0) {
  console.log("skipped: tests/browser/journeys holds no journey yet");
  process.exit(77);
}
const journeys = [];
for (const f of files) {
  const m = (await import(pathToFileURL(f).href)).default;
  if (!m || typeof m.name !== "string" || typeof m.run !== "function") {
    console.log(`FAIL ${f}: the default export must be {name, run(t)}`);
    process.exit(1);
  }
  if (journeys.some((j) => j.name === m.name)) {
    console.log(`FAIL ${f}: journey name ${m.name} used twice`);
    process.exit(1);
  }
  journeys.push(m);
}

const started = Date.now();
const shots = screenshotDir();
const store = new Store();
let hogod, browser, failed = journeys.length;
try {
  hogod = await Hogod.start(store);
  browser = await launchBrowser();
  console.log(`hogod ${hogod.origin}, chromium ${browser.version()}, screenshots in ${shots}`);
  failed = await runJourneys(journeys, { browser, hogod, store, shots });
} catch (e) {
  console.log(`FAIL harness: ${e.stack || e}`);
} finally {
  if (browser) await browser.close();
  if (hogod) {
    const rc = await hogod.stop();
    if (rc !== 0) {
      console.log(`FAIL hogod exited ${rc} on SIGTERM:\n${hogod.log}`);
      failed++;
    }
    if (hogod.log.match(/AddressSanitizer|runtime error:|LeakSanitizer/)) {
      console.log(`FAIL hogod reported a sanitizer error:\n${hogod.log}`);
      failed++;
    }
  }
  cleanScratch(store.dir);
}
console.log(`browser journeys took ${((Date.now() - started) / 1000).toFixed(1)} s`);
console.log(`${journeys.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
