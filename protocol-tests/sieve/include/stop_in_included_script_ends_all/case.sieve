require ["include", "fileinto"];
include "helper";
fileinto "Archive";
