require ["include", "fileinto"];
include "lists";
fileinto "Archive";
