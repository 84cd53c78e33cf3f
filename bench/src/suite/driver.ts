/**
 * What the suite needs from a system under test (the OpenMessaging benchmark's driver
 * idea): servers it started, topics, producers and consumers. Records carry opaque values;
 * the suite stamps send times into them itself.
 */
export interface SystemDriver {
  /** Short id for JSON and CLI filters, e.g. 'rill-1'. */
  readonly id: string;
  /** What runs, for the report: nodes, replication, acknowledgement. */
  readonly description: string;
  /** Server processes, one per node, for CPU and RSS. */
  serverPids(): readonly number[];
  /** Creates a topic (or stream) with `partitions` partitions and waits until it is usable. */
  createTopic(topic: string, partitions: number): Promise<void>;
  openProducer(topic: string, partitions: number, recordBytes: number): Promise<BenchProducer>;
  /**
   * Reads every record of the topic from its start, calling `onRecord` for each value in
   * order per partition, until closed.
   */
  openConsumer(topic: string, partitions: number, onRecord: (value: Uint8Array) => void): Promise<BenchConsumer>;
  /** Stops every server and deletes their data. */
  stop(): Promise<void>;
}

/** How a driver likes to be driven at max rate: records per send() call and calls in flight. */
export interface ThroughputShape {
  readonly recordsPerSend: number;
  readonly sendsInFlight: number;
}

export interface BenchProducer {
  readonly shape: ThroughputShape;
  /** Sends records to one partition; resolves when the system acknowledged all of them. */
  send(values: readonly Buffer[], partition: number): Promise<void>;
  close(): Promise<void>;
}

export interface BenchConsumer {
  close(): Promise<void>;
}
