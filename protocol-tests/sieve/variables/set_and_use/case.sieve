require ["variables", "fileinto"];
set "folder" "Lists";
fileinto "${folder}";
