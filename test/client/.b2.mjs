import { ServerProcess } from '@rill/testkit';
import { Producer, Admin } from '@rill/client';
const server = await ServerProcess.start({ properties: { 'auto.create.topics.enable': false } });
try {
  const admin = new Admin({ brokers: [server.bootstrap] });
  await admin.createTopics([{ name: 'b', partitions: 1 }]);
  const producer = new Producer({ brokers: [server.bootstrap], acks: 1, batchSize: 983040, maxRequestSize: 1024*1024, bufferMemoryBytes: 64*1024*1024, maxInFlightRequests: 8 });
  await producer.connect();
  const value = Buffer.alloc(1024, 97);
  const messages = Array.from({ length: 1000 }, () => ({ value }));
  const t = performance.now(); let recs = 0;
  const inflight = new Set();
  while (performance.now() - t < 4000) {
    const p = producer.send({ topic: 'b', messages }).then(() => recs += 1000); inflight.add(p); p.finally(() => inflight.delete(p));
    if (inflight.size >= 32) await Promise.race(inflight);
  }
  await Promise.all(inflight);
  const s = (performance.now() - t) / 1000;
  const cu = process.cpuUsage(); console.log("client cpu s", ((cu.user + cu.system)/1e6).toFixed(2), "broker cpu", (await import("node:fs")).readFileSync(`/proc/${server.pid}/stat`,"utf8").split(") ")[1].split(" ").slice(11,13).map(Number).reduce((a,b)=>a+b)/100);
  console.log(`produce: ${(recs * 1024 / s / 1e6).toFixed(0)} MB/s`);
  

  await producer.close(); await admin.close();
} finally { await server.destroy(); }
import { readdirSync, readFileSync } from 'node:fs';
for (const t of readdirSync('/proc/self/task')) { const st = readFileSync(`/proc/self/task/${t}/stat`, 'utf8'); const name = readFileSync(`/proc/self/task/${t}/comm`, 'utf8').trim(); const f = st.split(') ')[1].split(' '); const cpu = (Number(f[11]) + Number(f[12])) / 100; if (cpu > 0.05) console.log(name, cpu); }
