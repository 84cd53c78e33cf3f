#!/usr/bin/env node
// `npm start`: a local three-node cluster, one rill-server process per node.
import { runLocalCluster } from '../dist/cli/local-cluster.js';

runLocalCluster(process.argv.slice(2));
