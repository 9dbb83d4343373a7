import { createStufClient, fileFromPath } from '@stuf/sdk/node';

const stuf = createStufClient({ url: process.env.STUF_URL ?? 'http://localhost:4000', token: process.env.STUF_TOKEN });

const result = await stuf.createUpload({
  files: [new File(['name,value\nalpha,1\n'], 'table.csv', { type: 'text/csv' }), fileFromPath(import.meta.filename)],
  metadata: { collection: 'quickstart', license: 'confidential' },
});
if (result.__typename !== 'CreateUploadPayload') throw new Error(`${result.code}: ${result.message}`);
console.log('uploaded', result.upload.id);

const { totalCount, edges } = await stuf.uploads({ first: 10 });
console.log(`${totalCount} upload(s):`);
for (const { node } of edges) console.log(node.id, node.createdAt, node.files.map((file) => file.name).join(', '));
