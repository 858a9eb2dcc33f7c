require ["include", "fileinto"];
fileinto "Archive";
include "nowhere";
