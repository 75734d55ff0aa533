# escape=`
FROM mcr.microsoft.com/windows/servercore:ltsc2022
SHELL ["powershell", "-Command"]
RUN Invoke-WebRequest https://example.com/x.zip -OutFile x.zip ; `
    Expand-Archive x.zip C:\x | Out-Null
WORKDIR C:\app
USER ContainerUser
