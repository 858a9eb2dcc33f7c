require ["include", "variables", "fileinto"];
global "count";
include "counter";
include "counter";
include :once "counter";
fileinto "n${count}";
