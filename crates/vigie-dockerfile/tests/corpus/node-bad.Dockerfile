FROM node:20
RUN npm install -g pm2 typescript@5.4.5
COPY .npmrc package.json /app/
WORKDIR /app
RUN npm install
RUN cd /app && npm run build
CMD npm start
