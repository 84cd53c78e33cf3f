import { ServerProcess } from '@rill/testkit';
import { Producer, Admin, Consumer } from '@rill/client';
const size = Number(process.argv[2] ?? 100);
const total = Number(process.argv[3] ?? 2_000_000);
const server = await ServerProcess.start({ properties: { 'auto.create.topics.enable': false } });
try {
  const admin = new Admin({ brokers: [server.bootstrap] });
  await admin.createTopics([{ name: 'b', partitions: 1 }]);
  const producer = new Producer({ brokers: [server.bootstrap], acks: 1, batchSize: 1024*1024, maxRequestSize: 1024*1024, bufferMemoryBytes: 64*1024*1024, lingerMs: 5, maxInFlightRequests: Number(process.env.INFL ?? 5) });
  await producer.connect();
  const value = Buffer.alloc(size, 97);
  const perSend = 1000;
  const messages = Array.from({ length: perSend }, () => ({ value }));
  let t = performance.now();
  const inflight = new Set();
  for (let sent = 0; sent < total; sent += perSend) {
    const p = producer.send({ topic: 'b', messages }); inflight.add(p); p.finally(() => inflight.delete(p));
    if (inflight.size >= 64) await Promise.race(inflight);
  }
  await Promise.all(inflight);
  let s = (performance.now() - t) / 1000;
  console.log(`produce ${size}B: ${(total / s / 1e6).toFixed(2)} M rec/s ${(total * size / s / 1e6).toFixed(0)} MB/s`);
  await producer.close();
  const consumer = new Consumer({ brokers: [server.bootstrap], autoOffsetReset: 'earliest', maxBufferedBytes: 256*1024*1024, maxPartitionBytes: Number(process.env.PMB ?? 1048576), maxWaitMs: 100 });
  consumer.assign([{ topic: 'b', partition: 0 }]);
  t = performance.now(); let n = 0;
  for await (const batch of consumer) { n += batch.records.length; if (n >= total) break; }
  s = (performance.now() - t) / 1000;
  console.log(`consume ${size}B: ${(n / s / 1e6).toFixed(2)} M rec/s ${(n * size / s / 1e6).toFixed(0)} MB/s`);
  await consumer.close(); await admin.close();
} finally { await server.destroy(); }
