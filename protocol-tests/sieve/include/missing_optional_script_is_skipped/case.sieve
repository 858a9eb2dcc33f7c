require ["include", "fileinto"];
include :optional "nowhere";
fileinto "Archive";
