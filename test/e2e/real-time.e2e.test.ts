/**
 * The end-to-end tests that wait in real time, in one file so that their waits overlap: a holder
 * stopped past its lease (stopped-holder.suite.ts: the lease runs out in real time) and aborts of
 * releases caught in a paced bake (abort.suite.ts). Each spends most of its time waiting, not
 * computing; as two files, each held a test worker (and so one of two cores) for its waits, one
 * after the other. Their suites are all concurrent (describe.concurrent), so here they run at once.
 *
 * Nothing is shared between them but this worker: each test has its own project directories (and the
 * DynamoDB one its own table), and the bounds of every wait are the suites' own.
 */
import './stopped-holder.suite.js'
import './abort.suite.js'
