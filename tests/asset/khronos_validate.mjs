// The Khronos glTF-Validator (npm gltf-validator) over GLB files named on the command line:
// prints one JSON object {path: {errors, warnings, messages}} for tests/asset/khronos.py.
import { readFile } from "node:fs/promises";
import validator from "gltf-validator";

const out = {};
for (const path of process.argv.slice(2)) {
  const report = await validator.validateBytes(new Uint8Array(await readFile(path)), {
    maxIssues: 200,
    externalResourceFunction: () => Promise.reject(new Error("a GLB must be self-contained")),
  });
  out[path] = {
    errors: report.issues.numErrors,
    warnings: report.issues.numWarnings,
    messages: report.issues.messages.map((m) => `${m.severity} ${m.code} ${m.pointer ?? ""}: ${m.message}`),
  };
}
process.stdout.write(JSON.stringify(out));
