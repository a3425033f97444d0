// Prints how many tests ran against the real Kafka/Redis, and a plain closing line CI can read.
class SummaryReporter {
  onRunComplete(_contexts, results) {
    let integration = 0;
    for (const file of results.testResults) {
      if (/\.(int|e2e|chaos)\.spec\.ts$/.test(file.testFilePath)) {
        integration += file.testResults.filter((t) => t.status === 'passed').length;
      }
    }
    const passed = results.numPassedTests;
    const failed = results.numFailedTests;
    process.stdout.write(`\nintegration tests passed against the real Kafka and Redis: ${integration}\n`);
    process.stdout.write(`tests: ${passed} passed, ${failed} failed\n`);
  }
}
module.exports = SummaryReporter;
