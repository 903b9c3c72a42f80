/** Moved to src/exactly-once/steps.ts (issue 16); this path stays only until the branches in flight are merged. */
export { outboundSteps, recordOutboundCall, type StepScope } from '../exactly-once/steps'
