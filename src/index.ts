// statewire's public API. Everything a user imports comes from here; internal modules
// are not part of the contract.

export type { CloseReason, CloseReasonKind } from './core/close-reason.js';
export { describeCloseReason } from './core/close-reason.js';
export type { CodecSpec } from './core/codec-spec.js';
export type { ConnectOptions, Driver, DriverHooks, ListenOptions } from './core/driver.js';
export type { CloseMode, Effect, EffectParams, EffectType, LogLevel, OutputLimits } from './core/effects.js';
export { DEFAULT_OUTPUT_LIMITS, EFFECT_TYPES } from './core/effects.js';
export type {
  Address,
  AnyEventObject,
  ConnectionEvent,
  ConnId,
  IoErrorInfo,
  IoEvent,
  ListenerEvent,
  ListenerId,
  MachineId,
  TimeoutEvent,
} from './core/events.js';
export type { Logger } from './core/logger.js';
export { createStreamLogger, silentLogger } from './core/logger.js';

export type { CompiledMachine, CompiledSnapshot, MachineDefinition, StepResult } from './machine/compiled.js';
export { StepBuffer } from './machine/compiled.js';
export { compileMachine, MachineCompileError } from './machine/compile.js';
export { effectActions } from './machine/effect-actions.js';

export type { DispatcherOptions, DispatcherStats, ShutdownOptions, TraceStep } from './dispatcher/dispatcher.js';
export { Dispatcher } from './dispatcher/dispatcher.js';
export { NetDriver } from './drivers/net/net-driver.js';

export type { Fault, FaultSchedule, FaultType, ScheduledFault } from './drivers/sim/faults.js';
export { parseFaultSchedule } from './drivers/sim/faults.js';
export type { LinkConfig } from './drivers/sim/network.js';
export type { TcpOptions } from './drivers/sim/sim-driver.js';
export { SimDriver } from './drivers/sim/sim-driver.js';
export type { NodeBoot, NodeSpec, RunOptions, SimObserver, SimStep, WorldOptions, WorldStats } from './drivers/sim/world.js';
export { SimWorld } from './drivers/sim/world.js';
export type { Invariant, InvariantContext, InvariantFactory, Violation } from './sim/invariant.js';
export { InvariantSuite } from './sim/invariant.js';
export type { StateBound, StateBoundsSpec } from './sim/state-bounds.js';
export { stateBounds } from './sim/state-bounds.js';
export { timerScope } from './sim/timer-scope.js';
export type { FaultArbitraryOptions } from './sim/fault-arbitrary.js';
export { faultArbitrary, faultScheduleArbitrary } from './sim/fault-arbitrary.js';
export type { ScenarioCheckOptions, ScenarioCheckResult, ScenarioFailure } from './sim/check-scenario.js';
export { checkScenario } from './sim/check-scenario.js';
export type { Scenario, ScenarioConfig, ScenarioReport } from './sim/scenario.js';
export { formatReport, replayCommand } from './sim/scenario.js';
export { handshakeScenario } from './sim/handshake-scenario.js';

export type { LogLine, StoredIoEvent } from './drivers/record/log-format.js';
export { LOG_VERSION, parseLog } from './drivers/record/log-format.js';
export type { LineSink } from './drivers/record/ndjson-writer.js';
export { MemoryLineSink, NdjsonFileWriter } from './drivers/record/ndjson-writer.js';
export type { RecordingHeader } from './drivers/record/recording-driver.js';
export { RecordingDriver } from './drivers/record/recording-driver.js';
export type { ReplayReport, ReplayTarget } from './drivers/record/replay.js';
export { replayLog } from './drivers/record/replay.js';

export type { DecodeResult, Decoder } from './codecs/index.js';
export { createDecoder, encode, encodeFrame, encodeLine, FrameBuffer, LengthPrefixedDecoder, LineDecoder } from './codecs/index.js';

export type { ChartAction, ChartEdge, ChartModel, ChartState, ChartStateKind, ChartTimer, ChartTrigger } from './chart/model.js';
export { actionText, chartModel, edgeText } from './chart/model.js';
export { toMermaid } from './chart/mermaid.js';
export { renderSvg, toDot } from './chart/dot.js';
export type { CoverageReport } from './chart/coverage.js';
export { formatCoverage, TransitionCoverage } from './chart/coverage.js';
