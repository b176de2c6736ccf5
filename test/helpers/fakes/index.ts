/** One fake per seam (see test/README.md): import them from here. */
export {
  scriptedRunner,
  tableRunner,
  type Answer,
  type ExpectedCall,
  type RecordedCall,
  type ScriptedRunner,
  type TableRunner,
} from './runner.js'
export {failWith, httpStubs, liveGateways, response, type HttpStubs, type Reply, type StubAnswer} from './http.js'
export {fakeClock, type FakeClock} from './clock.js'
export {tempDir, type TempDir} from './temp-dir.js'
