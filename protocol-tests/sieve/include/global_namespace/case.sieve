require ["include", "variables", "fileinto"];
set "global.where" "Lists";
include "helper";
