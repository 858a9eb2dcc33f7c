require "fileinto";
fileinto "Lists";
stop;
