// Not a snapshot: the contract the snapshot commands.gen.ts next to it imports (`./command-table`),
// so that tsconfig.snapshots.json type-checks the snapshot against packages/cli's real one.
export type * from '../../../../../packages/cli/src/command-table';
