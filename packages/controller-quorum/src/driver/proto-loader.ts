import { loadPackageDefinition, type GrpcObject } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { fileURLToPath } from 'node:url';

/** The repository's proto/ folder, the same distance from src/ and dist/. */
const protoDir = fileURLToPath(new URL('../../../../proto/', import.meta.url));

/**
 * Loads one of our .proto contracts at run time (no protoc step). int64 fields become
 * numbers (offsets stay far below 2^53) and bytes fields Buffers.
 */
export function loadProto(file: string): GrpcObject {
  const definition = loadSync(protoDir + file, {
    keepCase: false,
    longs: Number,
    enums: String,
    bytes: Buffer,
    defaults: true,
    oneofs: true,
  });
  return loadPackageDefinition(definition);
}
