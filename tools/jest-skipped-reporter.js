// Says plainly, at the end of every run, which tests were skipped and why (their titles say why, e.g. "skipped:
// KURRENTDB_URL not set"): jest's default reporter only counts them, and prints nothing a skipped suite logs.
class SkippedTestsReporter {
  onRunComplete(_contexts, results) {
    const skipped = [];
    for (const file of results.testResults) {
      for (const test of file.testResults) {
        if (test.status === 'pending' || test.status === 'skipped' || test.status === 'todo') skipped.push(`${test.ancestorTitles.join(' › ')} › ${test.title}`);
      }
    }
    if (skipped.length === 0) return;
    const lines = [`${skipped.length} test(s) skipped:`, ...skipped.map((title) => `  - ${title}`)];
    process.stderr.write(`\n${lines.join('\n')}\n`);
  }
}

module.exports = SkippedTestsReporter;
