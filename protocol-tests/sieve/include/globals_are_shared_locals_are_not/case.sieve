require ["include", "variables", "fileinto"];
global "folder";
set "folder" "Lists";
set "local" "outer";
include "helper";
fileinto "${folder}-${local}";
