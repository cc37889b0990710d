// Validates an OpenAPI document with swagger-parser (the OpenAPI 3.0 JSON
// schema; every $ref resolves), then what swagger-parser checks only for
// Swagger 2.0: each operation declares exactly its path's {parameters}, and
// operationIds are unique.
//   node validate.mjs FILE
import SwaggerParser from '@apidevtools/swagger-parser';

const [file] = process.argv.slice(2);
if (!file) {
  console.error('usage: node validate.mjs FILE');
  process.exit(2);
}
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

// Problems swagger-parser leaves to the reader of an OpenAPI 3 document.
function operationProblems(api) {
  const problems = [];
  const ids = new Map();
  for (const [path, item] of Object.entries(api.paths)) {
    const templated = [...path.matchAll(/{([^}]+)}/g)].map((m) => m[1]).sort();
    for (const method of METHODS.filter((m) => item[m])) {
      const where = `${method.toUpperCase()} ${path}`;
      const declared = [...(item.parameters || []), ...(item[method].parameters || [])]
        .filter((p) => p.in === 'path')
        .map((p) => p.name)
        .sort();
      if (JSON.stringify(declared) !== JSON.stringify(templated)) {
        problems.push(`${where}: path parameters [${declared}] but the template has [${templated}]`);
      }
      const id = item[method].operationId;
      if (id && ids.has(id)) problems.push(`${where}: operationId ${id} is also ${ids.get(id)}'s`);
      if (id) ids.set(id, where);
    }
  }
  return problems;
}

try {
  const api = await SwaggerParser.validate(file);
  if (!String(api.openapi).startsWith('3.0.')) throw new Error(`openapi is ${api.openapi}, expected 3.0.x`);
  const problems = operationProblems(api);
  if (problems.length) throw new Error(`invalid operations:\n  ${problems.join('\n  ')}`);
  const operations = Object.values(api.paths).reduce((n, item) => n + Object.keys(item).length, 0);
  console.log(`${file}: valid OpenAPI ${api.openapi}, ${Object.keys(api.paths).length} paths, ${operations} operations`);
} catch (error) {
  console.error(`${file}: ${error.message}`);
  process.exit(1);
}
